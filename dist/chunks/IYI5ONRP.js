import{L as r}from"./VXNBTVV5.js";import"./63FQVIRW.js";import"./CSNHDXOF.js";import"./DXJERM5I.js";import{B as o}from"./ISHAKKEQ.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

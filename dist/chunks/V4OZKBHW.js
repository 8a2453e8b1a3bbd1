import{L as r}from"./URN7CSTN.js";import"./I7RWTNAV.js";import"./YGO6B5YG.js";import"./DXJERM5I.js";import{C as o}from"./3ZXFSSAZ.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

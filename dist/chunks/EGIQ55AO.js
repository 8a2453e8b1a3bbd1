import{L as r}from"./N43RUZNI.js";import"./A3EJIAQH.js";import"./LHLLS2OL.js";import"./DXJERM5I.js";import{B as o}from"./55MWBTU3.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

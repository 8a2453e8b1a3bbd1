import{K as r}from"./2TNG7GFK.js";import"./VQPABJWO.js";import"./TCDKXOGY.js";import"./DXJERM5I.js";import{A as o}from"./WQYBNJFT.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

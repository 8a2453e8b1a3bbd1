import{A as o,V as r}from"./WQYBNJFT.js";import"./3FYGLXQ4.js";var i=()=>o(r);export{i as start};

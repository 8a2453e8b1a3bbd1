import{A as o,V as r}from"./P2RYTYWN.js";import"./3FYGLXQ4.js";var i=()=>o(r);export{i as start};

import{C as o,W as r}from"./FPY2EVVP.js";import"./3FYGLXQ4.js";var i=()=>o(r);export{i as start};

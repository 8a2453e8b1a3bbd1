import{C as o,fa as r}from"./FPY2EVVP.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

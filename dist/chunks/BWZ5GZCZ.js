import{A as o,ea as r}from"./WQYBNJFT.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

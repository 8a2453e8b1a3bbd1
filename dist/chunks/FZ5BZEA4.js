import{B as o,V as r}from"./ISHAKKEQ.js";import"./3FYGLXQ4.js";var i=()=>o(r);export{i as start};

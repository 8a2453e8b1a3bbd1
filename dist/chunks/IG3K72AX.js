import{B as o,ea as r}from"./ISHAKKEQ.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

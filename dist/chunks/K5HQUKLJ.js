import{B as o,ea as r}from"./55MWBTU3.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

import{R as t}from"./EFPEWG25.js";import"./VQPABJWO.js";import"./TCDKXOGY.js";import{A as o}from"./WQYBNJFT.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

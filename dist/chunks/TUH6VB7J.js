import{B as t}from"./PLK24XZV.js";import"./63FQVIRW.js";import"./CSNHDXOF.js";import{B as o}from"./ISHAKKEQ.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

import{g as r}from"./E5YWS6VD.js";import{B as o}from"./55MWBTU3.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};

import{R as t}from"./K4Z64IDN.js";import"./75KPBUKT.js";import"./2GJYQ2TL.js";import{A as o}from"./P2RYTYWN.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

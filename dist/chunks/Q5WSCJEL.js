import{K as r}from"./QYAT3BSA.js";import"./75KPBUKT.js";import"./2GJYQ2TL.js";import"./DXJERM5I.js";import{A as o}from"./P2RYTYWN.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

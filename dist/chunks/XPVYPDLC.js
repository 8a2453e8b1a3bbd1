import{M as r}from"./Q3BY7WEZ.js";import"./EC7WYHEI.js";import"./MTPMQYOG.js";import"./DXJERM5I.js";import{C as o}from"./FPY2EVVP.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

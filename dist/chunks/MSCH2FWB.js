import{B as t}from"./WM5YPVBJ.js";import"./EC7WYHEI.js";import"./MTPMQYOG.js";import{C as o}from"./FPY2EVVP.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

import{B as t}from"./VD65JJPY.js";import"./I7RWTNAV.js";import"./YGO6B5YG.js";import{C as o}from"./3ZXFSSAZ.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

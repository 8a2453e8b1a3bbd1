import{B as t}from"./4RDJUSIC.js";import"./ALOESI6U.js";import"./IGAKMUIL.js";import{C as o}from"./UHYRRTBY.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

import{L as r}from"./QQR3SHJD.js";import"./ALOESI6U.js";import"./IGAKMUIL.js";import"./DXJERM5I.js";import{C as o}from"./UHYRRTBY.js";import"./3FYGLXQ4.js";var m=()=>o(r);export{m as start};

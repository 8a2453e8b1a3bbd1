import{a,b,c}from"./DXJERM5I.js";import"./3FYGLXQ4.js";export{a as REPOSITORY_NAME,b as parseRepository,c as splitRepository};

import{b as a}from"./VJTK7U4B.js";import"./A5GUUCOD.js";import"./3FYGLXQ4.js";export default a();

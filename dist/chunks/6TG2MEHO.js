import{R as t}from"./F7TOCAE7.js";import"./A3EJIAQH.js";import"./LHLLS2OL.js";import{B as o}from"./55MWBTU3.js";import"./3FYGLXQ4.js";var m=()=>o(t);export{m as start};

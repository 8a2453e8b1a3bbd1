import{a,b,c,d,e,f,g}from"./345Q7NTQ.js";import"./3FYGLXQ4.js";export{a as child_process,b as crypto,c as fs,d as os,e as path,f as stream,g as util};

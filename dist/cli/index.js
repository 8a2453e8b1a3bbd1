#!/usr/bin/env node
import{a as r,c,e as m}from"../chunks/3FYGLXQ4.js";var a=c((l,o)=>{var e=r("node:module");o.exports=typeof e=="function"?e:Object.create(e)});var t=m(a());function n(){let i=t.default.enableCompileCache;try{i?.()}catch{}}n();var{main:p}=process.argv[2]==="emit"?await import("../chunks/WNG3UULQ.js"):await import("../chunks/7J44ZATX.js");await p(process.argv);

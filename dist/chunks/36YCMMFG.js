import{a,b,c}from"./E42ZWQZB.js";import"./YVYDK2AJ.js";import"./3ZXFSSAZ.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

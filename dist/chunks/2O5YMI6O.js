import{a,b,c}from"./SYTXHFGZ.js";import"./YVYDK2AJ.js";import"./FPY2EVVP.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

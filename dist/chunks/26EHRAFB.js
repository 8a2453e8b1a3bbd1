import{a,b,c}from"./XMVIAUAL.js";import"./YVYDK2AJ.js";import"./55MWBTU3.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

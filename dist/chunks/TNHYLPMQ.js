import{a,b,c}from"./NRFL2X6C.js";import"./YVYDK2AJ.js";import"./WQYBNJFT.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

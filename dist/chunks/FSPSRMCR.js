import{a,b,c}from"./G3FMFHM6.js";import"./YVYDK2AJ.js";import"./P2RYTYWN.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

import{a,b,c}from"./H42SYPEG.js";import"./YVYDK2AJ.js";import"./UHYRRTBY.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

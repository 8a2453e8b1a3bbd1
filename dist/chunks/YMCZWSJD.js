import{a,b,c}from"./SI2BOW4O.js";import"./YVYDK2AJ.js";import"./ISHAKKEQ.js";import"./3FYGLXQ4.js";export{a as DispatchError,b as DispatchLimitError,c as dispatchFailure};

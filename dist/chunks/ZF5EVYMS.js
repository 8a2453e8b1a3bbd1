async function c(r,n){let{unzipSync:i,strFromU8:e}=await import("./KZN3BLBS.js"),t=i(r,{filter:s=>s.name===n})[n];return t?e(t):void 0}export{c as a};

import{a,b,c,d,e}from"./CSNHDXOF.js";import"./ISHAKKEQ.js";import"./3FYGLXQ4.js";export{b as JournaledStep,a as SIGNAL_EXIT_CODES,c as beginStep,d as inJournaledStep,e as summarize};

import{a,b,c,d,e}from"./MTPMQYOG.js";import"./FPY2EVVP.js";import"./3FYGLXQ4.js";export{b as JournaledStep,a as SIGNAL_EXIT_CODES,c as beginStep,d as inJournaledStep,e as summarize};

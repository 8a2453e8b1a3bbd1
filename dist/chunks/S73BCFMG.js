import{a,b,c,d,e}from"./LHLLS2OL.js";import"./55MWBTU3.js";import"./3FYGLXQ4.js";export{b as JournaledStep,a as SIGNAL_EXIT_CODES,c as beginStep,d as inJournaledStep,e as summarize};

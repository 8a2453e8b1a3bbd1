import{a,b,c,d,e}from"./YGO6B5YG.js";import"./3ZXFSSAZ.js";import"./3FYGLXQ4.js";export{b as JournaledStep,a as SIGNAL_EXIT_CODES,c as beginStep,d as inJournaledStep,e as summarize};

import{a,b,c,d,e}from"./IGAKMUIL.js";import"./UHYRRTBY.js";import"./3FYGLXQ4.js";export{b as JournaledStep,a as SIGNAL_EXIT_CODES,c as beginStep,d as inJournaledStep,e as summarize};

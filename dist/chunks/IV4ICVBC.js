import{a,b}from"./3KJB4CSM.js";import"./FPY2EVVP.js";import"./3FYGLXQ4.js";export{b as parseRedisUrl,a as redisUrlPasswords};

import{a,b}from"./BELFNH5A.js";import"./3ZXFSSAZ.js";import"./3FYGLXQ4.js";export{b as parseRedisUrl,a as redisUrlPasswords};

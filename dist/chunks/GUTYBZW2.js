import{a,b}from"./5XQBOFEG.js";import"./ISHAKKEQ.js";import"./3FYGLXQ4.js";export{b as parseRedisUrl,a as redisUrlPasswords};

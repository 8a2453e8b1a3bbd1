import{a,b}from"./KNUVKQ6I.js";import"./UHYRRTBY.js";import"./3FYGLXQ4.js";export{b as parseRedisUrl,a as redisUrlPasswords};

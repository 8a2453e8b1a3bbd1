import{a}from"./L74DR7P5.js";import"./4GUHAGOU.js";import"./3FYGLXQ4.js";export{a as createGitHubClient};

// A tiny module for the cold start's floor (bench/page.js ?floor=1).
export const floor = true;

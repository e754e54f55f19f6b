import { setUp } from './temp-dir.mjs';

export default setUp;

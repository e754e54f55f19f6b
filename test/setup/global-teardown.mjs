import { tearDown } from './temp-dir.mjs';

export default tearDown;

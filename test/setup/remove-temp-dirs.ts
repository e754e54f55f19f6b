// Runs in every test file (jest setupFilesAfterEnv): what tempDir() made goes away when the file is done.
import { afterAll } from '@jest/globals';
import { removeTempDirs } from '../support/temp-dir.js';

afterAll(removeTempDirs);

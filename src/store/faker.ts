import type { Faker as FakerClass, LocaleDefinition } from '@faker-js/faker';
import { faker as english } from '@faker-js/faker/locale/en';

/**
 * faker's class and its English locale, taken from the English-only bundle: `import … from
 * '@faker-js/faker'` loads all of faker's locales, which costs every process (and every jest test file)
 * about 100 to 250 ms more at start. The English instance is made from the same class, and its
 * definitions are English's (over faker's base locale, which only fills what English does not have).
 */
export const Faker = english.constructor as typeof FakerClass;
export type Faker = FakerClass;
export const en: LocaleDefinition = english.rawDefinitions;

/**
 * The catalog's texts in each of its languages, rendered from the seed words (English is the seed itself).
 */
import type { ProductWords } from './data.ts';
import type { Category, Product } from './model.ts';
import { TRANSLATIONS, type CatalogLanguage } from './words.ts';

const VIEW: Record<Exclude<CatalogLanguage, 'en'>, string> = { de: 'Ansicht', fr: 'vue' };

function word(language: Exclude<CatalogLanguage, 'en'>, english: string): string {
  return TRANSLATIONS[language][english] ?? english;
}

/** The product's name, description and image alt texts in `language` (the rest as it is). */
export function localizeProduct(product: Product, words: ProductWords | undefined, language: CatalogLanguage): Product {
  if (language === 'en' || words === undefined) return product;
  const adjective = word(language, words.adjective);
  const noun = word(language, words.noun);
  const claims = words.claims.map((claim) => word(language, claim)).join(' ');
  const name =
    language === 'de' ? `${words.brand} ${adjective} ${noun} ${words.model}` : `${words.brand} ${noun} ${adjective} ${words.model}`;
  const description = language === 'de' ? `${name} von ${words.brand}. ${claims}` : `${name} par ${words.brand}. ${claims}`;
  return {
    ...product,
    name,
    description,
    images: product.images.map((image, k) => ({ url: image.url, alt: `${name} – ${VIEW[language]} ${k + 1}` })),
  };
}

export function localizeCategory(category: Category, language: CatalogLanguage): Category {
  return language === 'en' ? category : { ...category, name: word(language, category.name) };
}

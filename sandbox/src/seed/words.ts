/** Word lists for the deterministic seed. */

export interface LeafCategorySpec {
  name: string;
  nouns: readonly string[];
  /** Price range of the list price, in euro (whole units). */
  priceRange: readonly [number, number];
  attributes: Readonly<Record<string, readonly string[]>>;
}

export interface TopCategorySpec {
  name: string;
  leaves: readonly [LeafCategorySpec, LeafCategorySpec, LeafCategorySpec];
}

const COLORS = ['black', 'white', 'silver', 'navy', 'red', 'green', 'sand', 'graphite', 'blue'] as const;

export const CATEGORY_TREE: readonly TopCategorySpec[] = [
  {
    name: 'Electronics',
    leaves: [
      {
        name: 'Smartphones',
        nouns: ['Smartphone', 'Phone', 'Mobile'],
        priceRange: [149, 1299],
        attributes: { color: COLORS, storage: ['64 GB', '128 GB', '256 GB', '512 GB'], screen: ['6.1"', '6.4"', '6.7"'] },
      },
      {
        name: 'Laptops',
        nouns: ['Laptop', 'Notebook', 'Ultrabook'],
        priceRange: [399, 2499],
        attributes: { color: COLORS, memory: ['8 GB', '16 GB', '32 GB'], screen: ['13"', '14"', '15.6"', '16"'] },
      },
      {
        name: 'Headphones',
        nouns: ['Headphones', 'Earbuds', 'Headset'],
        priceRange: [19, 449],
        attributes: { color: COLORS, connectivity: ['Bluetooth', 'Wired', 'USB-C'], noiseCancelling: ['yes', 'no'] },
      },
    ],
  },
  {
    name: 'Home & Kitchen',
    leaves: [
      {
        name: 'Cookware',
        nouns: ['Frying Pan', 'Saucepan', 'Dutch Oven', 'Wok'],
        priceRange: [15, 249],
        attributes: { material: ['cast iron', 'stainless steel', 'aluminium', 'ceramic'], diameter: ['20 cm', '24 cm', '28 cm'] },
      },
      {
        name: 'Furniture',
        nouns: ['Armchair', 'Side Table', 'Bookshelf', 'Desk'],
        priceRange: [49, 1499],
        attributes: { material: ['oak', 'walnut', 'pine', 'steel'], color: COLORS },
      },
      {
        name: 'Lighting',
        nouns: ['Floor Lamp', 'Desk Lamp', 'Pendant Light'],
        priceRange: [19, 399],
        attributes: { color: COLORS, bulb: ['E27', 'E14', 'LED integrated'] },
      },
    ],
  },
  {
    name: 'Fashion',
    leaves: [
      {
        name: 'Shoes',
        nouns: ['Sneakers', 'Boots', 'Loafers', 'Sandals'],
        priceRange: [29, 299],
        attributes: { color: COLORS, size: ['38', '39', '40', '41', '42', '43', '44', '45'], material: ['leather', 'canvas', 'suede'] },
      },
      {
        name: 'Jackets',
        nouns: ['Rain Jacket', 'Parka', 'Bomber Jacket', 'Fleece'],
        priceRange: [39, 499],
        attributes: { color: COLORS, size: ['XS', 'S', 'M', 'L', 'XL', 'XXL'], waterproof: ['yes', 'no'] },
      },
      {
        name: 'Bags',
        nouns: ['Backpack', 'Tote Bag', 'Messenger Bag', 'Duffel'],
        priceRange: [19, 349],
        attributes: { color: COLORS, volume: ['12 l', '20 l', '28 l', '40 l'] },
      },
    ],
  },
  {
    name: 'Sports & Outdoors',
    leaves: [
      {
        name: 'Cycling',
        nouns: ['Bike Helmet', 'Bike Light', 'Cycling Jersey', 'Saddle'],
        priceRange: [15, 299],
        attributes: { color: COLORS, size: ['S', 'M', 'L'] },
      },
      {
        name: 'Camping',
        nouns: ['Tent', 'Sleeping Bag', 'Camping Stove', 'Lantern'],
        priceRange: [19, 699],
        attributes: { capacity: ['1 person', '2 persons', '4 persons'], weight: ['0.8 kg', '1.5 kg', '2.9 kg'] },
      },
      {
        name: 'Fitness',
        nouns: ['Yoga Mat', 'Kettlebell', 'Resistance Band Set', 'Jump Rope'],
        priceRange: [9, 199],
        attributes: { color: COLORS, weight: ['4 kg', '8 kg', '12 kg', '16 kg'] },
      },
    ],
  },
  {
    name: 'Toys & Games',
    leaves: [
      {
        name: 'Board Games',
        nouns: ['Board Game', 'Card Game', 'Strategy Game'],
        priceRange: [9, 89],
        attributes: { players: ['1-4', '2-4', '2-6', '3-8'], age: ['6+', '8+', '10+', '14+'] },
      },
      {
        name: 'Building Sets',
        nouns: ['Building Set', 'Construction Kit', 'Robot Kit'],
        priceRange: [14, 249],
        attributes: { pieces: ['150', '480', '1200', '2300'], age: ['6+', '8+', '12+'] },
      },
      {
        name: 'Puzzles',
        nouns: ['Jigsaw Puzzle', 'Puzzle Cube', '3D Puzzle'],
        priceRange: [7, 59],
        attributes: { pieces: ['500', '1000', '1500', '2000'], age: ['8+', '12+'] },
      },
    ],
  },
  {
    name: 'Beauty & Health',
    leaves: [
      {
        name: 'Skincare',
        nouns: ['Face Cream', 'Serum', 'Cleanser', 'Sunscreen'],
        priceRange: [6, 129],
        attributes: { volume: ['30 ml', '50 ml', '100 ml'], skinType: ['dry', 'oily', 'combination', 'all'] },
      },
      {
        name: 'Fragrances',
        nouns: ['Eau de Parfum', 'Eau de Toilette', 'Body Mist'],
        priceRange: [19, 249],
        attributes: { volume: ['30 ml', '50 ml', '100 ml'], family: ['floral', 'woody', 'citrus', 'oriental'] },
      },
      {
        name: 'Oral Care',
        nouns: ['Electric Toothbrush', 'Water Flosser', 'Toothpaste Set'],
        priceRange: [4, 199],
        attributes: { color: COLORS, batteryLife: ['14 days', '30 days', 'n/a'] },
      },
    ],
  },
];

export const BRANDS = [
  'Nordlicht',
  'Aurora',
  'Kestrel',
  'Lumio',
  'Fjord & Co',
  'Vantage',
  'Helix',
  'Mistral',
  'Orbit',
  'Tundra',
  'Solstice',
  'Brightwell',
  'Copperleaf',
  'Ironbark',
  'Pinecrest',
  'Zephyr',
  'Quartz',
  'Alder',
  'Marlow',
  'Juniper',
] as const;

export const ADJECTIVES = [
  'Compact',
  'Classic',
  'Premium',
  'Essential',
  'Ultra',
  'Pro',
  'Lite',
  'Urban',
  'Heritage',
  'Active',
  'Smart',
  'Eco',
  'Travel',
  'Studio',
  'Signature',
  'Everyday',
] as const;

export const DESCRIPTION_CLAIMS = [
  'Designed for everyday use and built to last.',
  'Crafted from carefully selected materials.',
  'A customer favourite with a timeless look.',
  'Lightweight, durable and easy to care for.',
  'Tested under demanding conditions.',
  'Comes with a two-year manufacturer warranty.',
  'Sustainably produced in Europe.',
  'Engineered for comfort and performance.',
] as const;

export const GIVEN_NAMES = [
  'Alice',
  'Bob',
  'Carol',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Klara',
  'Lukas',
  'Mia',
  'Noah',
  'Olivia',
  'Paul',
  'Quinn',
  'Rosa',
  'Samuel',
  'Tara',
  'Umut',
  'Vera',
  'Willem',
  'Xenia',
  'Yusuf',
  'Zoe',
] as const;

export const FAMILY_NAMES = [
  'Anderson',
  'Brown',
  'Clarke',
  'de Vries',
  'Eriksen',
  'Fischer',
  'García',
  'Hansen',
  'Ivanova',
  'Jansen',
  'Kowalski',
  'Lambert',
  'Müller',
  'Nowak',
  "O'Brien",
  'Petit',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Varga',
  'Weber',
] as const;

export const LOCALES = ['en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'es-ES', 'it-IT', 'pl-PL'] as const;

export const WAREHOUSES = ['AMS-1', 'FRA-2', 'MAD-1', 'WAW-1'] as const;

export const REVIEW_TITLES: Readonly<Record<number, readonly string[]>> = {
  1: ['Very disappointed', 'Broke after a week', 'Would not buy again'],
  2: ['Not great', 'Below expectations', 'Meh'],
  3: ['Okay for the price', 'Does the job', 'Average'],
  4: ['Very good', 'Happy with it', 'Solid purchase'],
  5: ['Excellent!', 'Absolutely love it', 'Best purchase this year'],
};

export const REVIEW_BODIES: Readonly<Record<number, readonly string[]>> = {
  1: ['The quality is poor and customer service did not help.', 'Stopped working shortly after delivery.'],
  2: ['It works, but it feels cheap.', 'Delivery was fine, the product less so.'],
  3: ['Nothing special, but it does what it should.', 'Fair value for money, a few rough edges.'],
  4: ['Good quality and fast delivery. Minor nitpicks only.', 'Works well, I would recommend it.'],
  5: ['Exceeded my expectations in every way.', 'Great quality, great price, arrived a day early.'],
};

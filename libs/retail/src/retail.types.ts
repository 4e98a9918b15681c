/**
 * Shapes of the retail domain services' payloads. They mirror the services' OpenAPI documents
 * (sandbox/src/**: GET /openapi.json on each service).
 */
export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  categoryId: string;
  brand: string;
  thumbnailUrl: string;
  images: { url: string; alt: string }[];
  attributes: Record<string, string>;
  createdAt: string;
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
  total: number;
}

export interface Category {
  id: string;
  name: string;
  parentId: string | null;
}

export interface Price {
  productId: string;
  currency: string;
  amount: number;
  listAmount: number;
  discountPct: number;
  validUntil: string;
}

export interface Stock {
  productId: string;
  available: number;
  reserved: number;
  inStock: boolean;
  warehouse: string;
  restockDate: string | null;
}

export interface Review {
  id: string;
  productId: string;
  author: string;
  rating: number;
  title: string;
  body: string;
  createdAt: string;
}

export interface ReviewPage {
  items: Review[];
  page: number;
  pageSize: number;
  total: number;
}

export interface RatingSummary {
  productId: string;
  average: number;
  count: number;
  histogram: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export interface Recommendation {
  productId: string;
  score: number;
}

export interface Customer {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  tier: 'standard' | 'gold' | 'platinum';
  locale: string;
  createdAt: string;
}

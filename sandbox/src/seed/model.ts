/** Domain shapes served by the sandbox services (mirrors the OpenAPI documents). */

export interface ProductImage {
  url: string;
  alt: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  categoryId: string;
  brand: string;
  thumbnailUrl: string;
  images: ProductImage[];
  attributes: Record<string, string>;
  createdAt: string;
  /** Last change of the product (createdAt on the seed, or later); the catalog's change feed orders by it. */
  updatedAt: string;
}

export interface Category {
  id: string;
  name: string;
  parentId: string | null;
}

export interface Price {
  productId: string;
  currency: 'EUR';
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

export interface Rating {
  productId: string;
  average: number;
  count: number;
  histogram: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export type CustomerTier = 'standard' | 'gold' | 'platinum';

export interface Customer {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  tier: CustomerTier;
  locale: string;
  createdAt: string;
}

/** A customer plus the dev password (for the future OIDC provider). */
export interface SeedCustomer extends Customer {
  password: string;
}

export interface CartItem {
  productId: string;
  quantity: number;
}

export interface Cart {
  id: string;
  customerId: string;
  items: CartItem[];
  updatedAt: string;
}

export type OrderStatus = 'created' | 'paid' | 'shipped' | 'delivered' | 'cancelled';

export interface OrderItem {
  productId: string;
  quantity: number;
  /** Unit price (minor units) at the time of ordering. */
  unitAmount: number;
}

export interface Order {
  id: string;
  customerId: string;
  items: OrderItem[];
  status: OrderStatus;
  totalAmount: number;
  currency: 'EUR';
  createdAt: string;
}

export interface Recommendation {
  productId: string;
  score: number;
}

/**
 * COCO detection types: the ground-truth (instances) file, one detection of a results file, and the metrics.
 */

export interface CocoGroundTruth {
  images: { id: number; width?: number; height?: number; file_name?: string }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    /** [x, y, width, height] in pixels. */
    bbox: [number, number, number, number];
    /** Object area in pixels (the segmentation's area in official COCO files); decides small/medium/large. */
    area: number;
    /** 1 for a crowd region: never a true positive, and detections inside it are neither TP nor FP. */
    iscrowd?: 0 | 1;
  }[];
  categories: { id: number; name: string }[];
}

export interface CocoDetection {
  image_id: number;
  category_id: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  score: number;
}

/** The 12 numbers of pycocotools' COCOeval.stats for bbox, in the same order, and AP per category. */
export interface CocoMetrics {
  /** AP at IoU .50:.05:.95, all areas, 100 detections per image. */
  map: number;
  map50: number;
  map75: number;
  mapSmall: number;
  mapMedium: number;
  mapLarge: number;
  /** AR at IoU .50:.05:.95, all areas, at most 1, 10, 100 detections per image. */
  ar1: number;
  ar10: number;
  ar100: number;
  arSmall: number;
  arMedium: number;
  arLarge: number;
  /** Every category of the ground truth, by id; ap and ap50 null when the category has no (non-crowd) gt. */
  perClass: { categoryId: number; name: string; ap: number | null; ap50: number | null }[];
}
